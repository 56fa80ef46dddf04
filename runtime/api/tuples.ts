/**
 * The classes `Tuple0` … `Tuple25` (defined by arity range in tuples-*.ts), registered with the base class
 * for `Tuple.newInstance`, and the msgpackr extension (type code 0x4c) through which tuples cross the
 * network and snapshots as tuples rather than as plain objects.
 *
 * Invariant: importing this module (the API index does) is what makes tuples decodable; the data plane
 * and state files import it too, so a process that never loaded a job still decodes tuple records.
 */
import { addExtension } from 'msgpackr';
import { Tuple, registerTupleClasses } from './tuple.js';
import {
  Tuple0,
  Tuple1,
  Tuple2,
  Tuple3,
  Tuple4,
  Tuple5,
  Tuple6,
  Tuple7,
  Tuple8,
  Tuple9,
  Tuple10,
  Tuple11,
  Tuple12,
  Tuple13,
} from './tuples-0-13.js';
import { Tuple14, Tuple15, Tuple16, Tuple17, Tuple18, Tuple19, Tuple20 } from './tuples-14-20.js';
import { Tuple21, Tuple22, Tuple23 } from './tuples-21-23.js';
import { Tuple24, Tuple25 } from './tuples-24-25.js';

export {
  Tuple0,
  Tuple1,
  Tuple2,
  Tuple3,
  Tuple4,
  Tuple5,
  Tuple6,
  Tuple7,
  Tuple8,
  Tuple9,
  Tuple10,
  Tuple11,
  Tuple12,
  Tuple13,
  Tuple14,
  Tuple15,
  Tuple16,
  Tuple17,
  Tuple18,
  Tuple19,
  Tuple20,
  Tuple21,
  Tuple22,
  Tuple23,
  Tuple24,
  Tuple25,
};

registerTupleClasses([
  Tuple0,
  Tuple1,
  Tuple2,
  Tuple3,
  Tuple4,
  Tuple5,
  Tuple6,
  Tuple7,
  Tuple8,
  Tuple9,
  Tuple10,
  Tuple11,
  Tuple12,
  Tuple13,
  Tuple14,
  Tuple15,
  Tuple16,
  Tuple17,
  Tuple18,
  Tuple19,
  Tuple20,
  Tuple21,
  Tuple22,
  Tuple23,
  Tuple24,
  Tuple25,
]);

/** Tuples travel as a msgpack extension: the fields as an array; decoding rebuilds the TupleN. */
addExtension({
  Class: Tuple as unknown as new () => Tuple,
  type: 0x4c,
  write: (t: Tuple) => t.toArray(),
  read: (fields: unknown[]) => Tuple.fromArray(fields),
});
