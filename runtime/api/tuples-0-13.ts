/**
 * Flink's tuple classes Tuple0 … Tuple13: public fields `f0`…`fN` and `TupleN.of(…)`; everything else
 * (equality, hashCode, toString, getField) is the base class's (tuple.ts). Mechanical, one shape per arity.
 */
import { Tuple } from './tuple.js';

export class Tuple0 extends Tuple {
  getArity(): number {
    return 0;
  }
  static of(): Tuple0 {
    return new Tuple0();
  }
}

export class Tuple1<T0> extends Tuple {
  constructor(public f0: T0) {
    super();
  }
  getArity(): number {
    return 1;
  }
  static of<T0>(f0: T0): Tuple1<T0> {
    return new Tuple1(f0);
  }
}

export class Tuple2<T0, T1> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
  ) {
    super();
  }
  getArity(): number {
    return 2;
  }
  static of<T0, T1>(f0: T0, f1: T1): Tuple2<T0, T1> {
    return new Tuple2(f0, f1);
  }
}

export class Tuple3<T0, T1, T2> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
  ) {
    super();
  }
  getArity(): number {
    return 3;
  }
  static of<T0, T1, T2>(f0: T0, f1: T1, f2: T2): Tuple3<T0, T1, T2> {
    return new Tuple3(f0, f1, f2);
  }
}

export class Tuple4<T0, T1, T2, T3> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
  ) {
    super();
  }
  getArity(): number {
    return 4;
  }
  static of<T0, T1, T2, T3>(f0: T0, f1: T1, f2: T2, f3: T3): Tuple4<T0, T1, T2, T3> {
    return new Tuple4(f0, f1, f2, f3);
  }
}

export class Tuple5<T0, T1, T2, T3, T4> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
  ) {
    super();
  }
  getArity(): number {
    return 5;
  }
  static of<T0, T1, T2, T3, T4>(f0: T0, f1: T1, f2: T2, f3: T3, f4: T4): Tuple5<T0, T1, T2, T3, T4> {
    return new Tuple5(f0, f1, f2, f3, f4);
  }
}

export class Tuple6<T0, T1, T2, T3, T4, T5> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
  ) {
    super();
  }
  getArity(): number {
    return 6;
  }
  static of<T0, T1, T2, T3, T4, T5>(f0: T0, f1: T1, f2: T2, f3: T3, f4: T4, f5: T5): Tuple6<T0, T1, T2, T3, T4, T5> {
    return new Tuple6(f0, f1, f2, f3, f4, f5);
  }
}

export class Tuple7<T0, T1, T2, T3, T4, T5, T6> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
    public f6: T6,
  ) {
    super();
  }
  getArity(): number {
    return 7;
  }
  static of<T0, T1, T2, T3, T4, T5, T6>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
  ): Tuple7<T0, T1, T2, T3, T4, T5, T6> {
    return new Tuple7(f0, f1, f2, f3, f4, f5, f6);
  }
}

export class Tuple8<T0, T1, T2, T3, T4, T5, T6, T7> extends Tuple {
  constructor(
    public f0: T0,
    public f1: T1,
    public f2: T2,
    public f3: T3,
    public f4: T4,
    public f5: T5,
    public f6: T6,
    public f7: T7,
  ) {
    super();
  }
  getArity(): number {
    return 8;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
    f7: T7,
  ): Tuple8<T0, T1, T2, T3, T4, T5, T6, T7> {
    return new Tuple8(f0, f1, f2, f3, f4, f5, f6, f7);
  }
}

export class Tuple9<T0, T1, T2, T3, T4, T5, T6, T7, T8> extends Tuple {
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
  ) {
    super();
  }
  getArity(): number {
    return 9;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8>(
    f0: T0,
    f1: T1,
    f2: T2,
    f3: T3,
    f4: T4,
    f5: T5,
    f6: T6,
    f7: T7,
    f8: T8,
  ): Tuple9<T0, T1, T2, T3, T4, T5, T6, T7, T8> {
    return new Tuple9(f0, f1, f2, f3, f4, f5, f6, f7, f8);
  }
}

export class Tuple10<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9> extends Tuple {
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
  ) {
    super();
  }
  getArity(): number {
    return 10;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9>(
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
  ): Tuple10<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9> {
    return new Tuple10(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9);
  }
}

export class Tuple11<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> extends Tuple {
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
  ) {
    super();
  }
  getArity(): number {
    return 11;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(
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
  ): Tuple11<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> {
    return new Tuple11(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10);
  }
}

export class Tuple12<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> extends Tuple {
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
  ) {
    super();
  }
  getArity(): number {
    return 12;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11>(
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
  ): Tuple12<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> {
    return new Tuple12(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11);
  }
}

export class Tuple13<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> extends Tuple {
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
  ) {
    super();
  }
  getArity(): number {
    return 13;
  }
  static of<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12>(
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
  ): Tuple13<T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> {
    return new Tuple13(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12);
  }
}
