/**
 * `Types`, `TypeInformation` and `TypeHint`: Flink needs them because Java erases generics; TypeScript
 * checks types at compile time and sluice serialises values by their runtime shape, so these exist only
 * so ported code (`.returns(Types.TUPLE(Types.STRING, Types.INT))`, state descriptors with a type) compiles
 * and runs unchanged. Each value describes itself (`toString`) and does nothing else.
 */
export class TypeInformation<T = unknown> {
  declare readonly __type?: T;
  constructor(private readonly description: string) {}
  static of<T>(hint: TypeHint<T> | (abstract new (...args: any[]) => T)): TypeInformation<T> {
    const name = hint instanceof TypeHint ? 'TypeHint' : ((hint as { name?: string }).name ?? 'class');
    return new TypeInformation<T>(name);
  }
  toString(): string {
    return `${this.description} (a type hint: sluice needs none, it is ignored)`;
  }
}

/** `new TypeHint<Tuple2<string, number>>() {}` in Java becomes `new TypeHint<Tuple2<string, number>>()`. */
export class TypeHint<T = unknown> {
  declare readonly __type?: T;
  getTypeInfo(): TypeInformation<T> {
    return new TypeInformation<T>('TypeHint');
  }
}

const basic = <T>(name: string) => new TypeInformation<T>(name);

export const Types = {
  STRING: basic<string>('String'),
  BOOLEAN: basic<boolean>('Boolean'),
  BYTE: basic<number>('Byte'),
  SHORT: basic<number>('Short'),
  INT: basic<number>('Integer'),
  LONG: basic<number>('Long'),
  FLOAT: basic<number>('Float'),
  DOUBLE: basic<number>('Double'),
  CHAR: basic<string>('Character'),
  BIG_INT: basic<bigint>('BigInteger'),
  VOID: basic<void>('Void'),
  INSTANT: basic<number>('Instant'),
  TUPLE: (...fields: TypeInformation<any>[]) => basic(`Tuple${fields.length}<${fields.map(String).join(', ')}>`),
  ROW: (...fields: TypeInformation<any>[]) => basic(`Row(${fields.length})`),
  POJO: (cls: abstract new (...args: any[]) => unknown) => basic(`POJO<${cls.name}>`),
  LIST: (element: TypeInformation<any>) => basic(`List<${String(element)}>`),
  MAP: (key: TypeInformation<any>, value: TypeInformation<any>) => basic(`Map<${String(key)}, ${String(value)}>`),
  OBJECT_ARRAY: (element: TypeInformation<any>) => basic(`${String(element)}[]`),
  PRIMITIVE_ARRAY: (element: TypeInformation<any>) => basic(`${String(element)}[]`),
  GENERIC: (cls: abstract new (...args: any[]) => unknown) => basic(`GenericType<${cls.name}>`),
};
