/**
 * The `-D key=value` option of the commands that read cluster configuration, as Flink's CLI has it: one
 * property per `-D` (repeat it for more; `-Dkey=value` works too). Each occurrence takes exactly one value,
 * so a job module after it stays the job module (`sluice run -D k=v job.ts`); a variadic option would
 * swallow it. Values are parsed and validated by runtime/config (`CONFIG_INVALID` names the bad one).
 */
import { Option } from 'commander';

export function dynamicPropertiesOption(description = 'configuration override (repeatable)'): Option {
  return new Option('-D <key=value>', description)
    .argParser((value: string, previous: string[]) => [...previous, value])
    .default([] as string[], 'none');
}
