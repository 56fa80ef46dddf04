/**
 * Flink's tuple classes Tuple14 … Tuple20: public fields `f0`…`fN` and `TupleN.of(…)`; everything else
 * (equality, hashCode, toString, getField) is the base class's (tuple.ts). Mechanical, one shape per arity.
 */
import { Tuple } from './tuple.js';

export class Tuple14<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
    public f6: T6,
    public f7: T7,
    public f8: T8,
    public f9: T9,
    public f10: T10,
    public f11: T11,
    public f12: T12,
    public f13: T13,
  ) {
    super();
  }
  getArity(): number {
    return 14;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
    f7: T7,
    f8: T8,
    f9: T9,
    f10: T10,
    f11: T11,
    f12: T12,
    f13: T13,
  ): Tuple14<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> {
    return new Tuple14(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13);
  }
}

export class Tuple15<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
    public f6: T6,
    public f7: T7,
    public f8: T8,
    public f9: T9,
    public f10: T10,
    public f11: T11,
    public f12: T12,
    public f13: T13,
    public f14: T14,
  ) {
    super();
  }
  getArity(): number {
    return 15;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
    f7: T7,
    f8: T8,
    f9: T9,
    f10: T10,
    f11: T11,
    f12: T12,
    f13: T13,
    f14: T14,
  ): Tuple15<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> {
    return new Tuple15(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14);
  }
}

export class Tuple16<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
    public f6: T6,
    public f7: T7,
    public f8: T8,
    public f9: T9,
    public f10: T10,
    public f11: T11,
    public f12: T12,
    public f13: T13,
    public f14: T14,
    public f15: T15,
  ) {
    super();
  }
  getArity(): number {
    return 16;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
    f7: T7,
    f8: T8,
    f9: T9,
    f10: T10,
    f11: T11,
    f12: T12,
    f13: T13,
    f14: T14,
    f15: T15,
  ): Tuple16<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> {
    return new Tuple16(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15);
  }
}

export class Tuple17<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
    public f6: T6,
    public f7: T7,
    public f8: T8,
    public f9: T9,
    public f10: T10,
    public f11: T11,
    public f12: T12,
    public f13: T13,
    public f14: T14,
    public f15: T15,
    public f16: T16,
  ) {
    super();
  }
  getArity(): number {
    return 17;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
    f7: T7,
    f8: T8,
    f9: T9,
    f10: T10,
    f11: T11,
    f12: T12,
    f13: T13,
    f14: T14,
    f15: T15,
    f16: T16,
  ): Tuple17<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16> {
    return new Tuple17(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16);
  }
}

export class Tuple18<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
    public f6: T6,
    public f7: T7,
    public f8: T8,
    public f9: T9,
    public f10: T10,
    public f11: T11,
    public f12: T12,
    public f13: T13,
    public f14: T14,
    public f15: T15,
    public f16: T16,
    public f17: T17,
  ) {
    super();
  }
  getArity(): number {
    return 18;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
    f7: T7,
    f8: T8,
    f9: T9,
    f10: T10,
    f11: T11,
    f12: T12,
    f13: T13,
    f14: T14,
    f15: T15,
    f16: T16,
    f17: T17,
  ): Tuple18<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17> {
    return new Tuple18(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17);
  }
}

export class Tuple19<
  T0,
  T1,
  T2,
  T3,
  T4,
  T5,
  T6,
  T7,
  T8,
  T9,
  T10,
  T11,
  T12,
  T13,
  T14,
  T15,
  T16,
  T17,
  T18,
> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
    public f6: T6,
    public f7: T7,
    public f8: T8,
    public f9: T9,
    public f10: T10,
    public f11: T11,
    public f12: T12,
    public f13: T13,
    public f14: T14,
    public f15: T15,
    public f16: T16,
    public f17: T17,
    public f18: T18,
  ) {
    super();
  }
  getArity(): number {
    return 19;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
    f7: T7,
    f8: T8,
    f9: T9,
    f10: T10,
    f11: T11,
    f12: T12,
    f13: T13,
    f14: T14,
    f15: T15,
    f16: T16,
    f17: T17,
    f18: T18,
  ): Tuple19<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18> {
    return new Tuple19(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18);
  }
}

export class Tuple20<
  T0,
  T1,
  T2,
  T3,
  T4,
  T5,
  T6,
  T7,
  T8,
  T9,
  T10,
  T11,
  T12,
  T13,
  T14,
  T15,
  T16,
  T17,
  T18,
  T19,
> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
    public f6: T6,
    public f7: T7,
    public f8: T8,
    public f9: T9,
    public f10: T10,
    public f11: T11,
    public f12: T12,
    public f13: T13,
    public f14: T14,
    public f15: T15,
    public f16: T16,
    public f17: T17,
    public f18: T18,
    public f19: T19,
  ) {
    super();
  }
  getArity(): number {
    return 20;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
    f7: T7,
    f8: T8,
    f9: T9,
    f10: T10,
    f11: T11,
    f12: T12,
    f13: T13,
    f14: T14,
    f15: T15,
    f16: T16,
    f17: T17,
    f18: T18,
    f19: T19,
  ): Tuple20<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19> {
    return new Tuple20(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19);
  }
}
