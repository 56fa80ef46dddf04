/**
 * The Flink DataStream methods sluice does not offer but ported programs commonly call: each is a real
 * method that throws API_UNSUPPORTED naming the API and what to use instead, never "x is not a function".
 * docs/flink-api-compatibility.md lists them with their reasons.
 */
import { SluiceError } from '../errors/catalogue.js';

export function unsupported(api: string, alternative: string): never {
  throw new SluiceError('API_UNSUPPORTED', `${api} is not supported by sluice; ${alternative}`);
}
