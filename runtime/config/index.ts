/** runtime/config: cluster.yaml with Flink's keys, -D overrides, defaults, aliases, validation. */
export { Configuration, REDACTED, canonicalKey, parseTokens } from './configuration.js';
export type { RestToken, TokenScope } from './configuration.js';
export { loadConfiguration, parseDynamicProperties, DEFAULT_CONFIG_FILE } from './load.js';
export type { LoadOptions } from './load.js';
export { parseDurationMs, parseMemoryBytes } from './duration.js';
export { OPTIONS, DEPRECATED_ALIASES, isSensitiveKey } from './options.js';
export type { OptionSpec, OptionType } from './options.js';
export { nearestKey } from './nearest-key.js';
