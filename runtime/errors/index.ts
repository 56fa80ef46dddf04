/** Error catalogue entry point. */
export * from './catalogue.js';
