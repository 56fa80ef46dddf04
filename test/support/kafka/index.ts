/**
 * Public entry of the test Kafka broker: `startKafkaBroker` and its option/handle types.
 */
export { startKafkaBroker, type KafkaBroker, type KafkaBrokerOptions } from './broker.js';
