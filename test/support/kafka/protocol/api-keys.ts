/**
 * The Kafka API keys this broker answers, the version range advertised for each in ApiVersions, and the
 * error codes it returns. Clients (kafkajs) pick min(their max, our max), so every handler must decode and
 * encode exactly the versions between `min` and `max` listed here.
 * Invariant: only non-flexible (pre-KIP-482) versions are advertised, so request header v1 / response
 * header v0 framing holds for every request.
 */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
} as const;

/** [apiKey, minVersion, maxVersion] */
export const SUPPORTED_VERSIONS: ReadonlyArray<readonly [number, number, number]> = [
  [ApiKey.Produce, 3, 3],
  [ApiKey.Fetch, 4, 4],
  [ApiKey.ListOffsets, 1, 2],
  [ApiKey.Metadata, 1, 4],
  [ApiKey.OffsetCommit, 2, 2],
  [ApiKey.OffsetFetch, 1, 2],
  [ApiKey.FindCoordinator, 0, 1],
  [ApiKey.JoinGroup, 0, 2],
  [ApiKey.Heartbeat, 0, 1],
  [ApiKey.LeaveGroup, 0, 1],
  [ApiKey.SyncGroup, 0, 1],
  [ApiKey.DescribeGroups, 0, 0],
  [ApiKey.ApiVersions, 0, 2],
  [ApiKey.CreateTopics, 0, 1],
  [ApiKey.DeleteTopics, 0, 1],
  [ApiKey.InitProducerId, 0, 0],
  [ApiKey.AddPartitionsToTxn, 0, 0],
  [ApiKey.AddOffsetsToTxn, 0, 0],
  [ApiKey.EndTxn, 0, 0],
  [ApiKey.TxnOffsetCommit, 0, 0],
];

export function isSupported(apiKey: number, version: number): boolean {
  const v = SUPPORTED_VERSIONS.find(([k]) => k === apiKey);
  return v !== undefined && version >= v[1] && version <= v[2];
}

export const ErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_TOPIC_EXCEPTION: 17,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REQUEST: 42,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  CONCURRENT_TRANSACTIONS: 51,
  UNKNOWN_PRODUCER_ID: 59,
  GROUP_ID_NOT_FOUND: 69,
} as const;
