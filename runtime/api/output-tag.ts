/**
 * OutputTag names a side output, as Flink's `OutputTag<T>`. Tags compare by id, so a tag created in the
 * job module and the same tag rebuilt in a worker (same bundle, same id) address the same output.
 */
export class OutputTag<T = unknown> {
  /** Phantom field carrying the element type. */
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (!id) throw new Error('OutputTag id must be a non-empty string');
  }
  toString(): string {
    return `OutputTag(${this.id})`;
  }
}
