/**
 * The Nexmark benchmark's generator and source (persons, auctions, bids), for the Nexmark queries in
 * `jobs/nexmark/` and the `--nexmark` benchmark.
 */
export { NexmarkSource, type NexmarkSplit } from './nexmark-source.js';
export { NexmarkGenerator, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID } from './generator.js';
export { nexmarkConfig, NEXMARK_DEFAULTS, type NexmarkConfig } from './config.js';
export type { Auction, Bid, NexmarkEvent, Person } from './model.js';
