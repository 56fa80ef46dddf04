/** runtime/config: cluster.yaml with Flink's keys, -D overrides, defaults, aliases, validation. */
export { Configuration, REDACTED, canonicalKey, parseTokens } from './configuration.js';
export type { RestToken, TokenScope } from './configuration.js';
export {
  loadConfiguration,
  parseDynamicProperties,
  configFileToUse,
  CONFIG_FILE_ENV,
  DEFAULT_CONFIG_FILE,
} from './load.js';
export type { LoadOptions } from './load.js';
export { parseDurationMs, parseMemoryBytes } from './duration.js';
export { OPTIONS, OPTION_SPECS } from './options.js';
export { DEPRECATED_ALIASES, isSensitiveKey } from './option-keys.js';
export { defaultSluiceConfig, parseOptionValue, toSluiceConfig } from './sluice-config.js';
export type { OptionKey, OptionValue, SluiceConfig } from './sluice-config.js';
export type { OptionSpec, OptionType } from './options.js';
export { nearestKey } from './nearest-key.js';
export { s3Settings, initializeS3FromConfig } from './s3-settings.js';
