/**
 * How a control-plane direction is declared and checked: each direction (job manager → task worker, task
 * worker → job manager) is a table from message kind to its body schema, and for calls (request/response
 * pairs) the reply schema. From the table follow the discriminated union of that direction's messages, the
 * reply type of each call, and the handler table a receiver must fill in completely (one handler per kind,
 * so a new kind does not compile until every receiver handles it).
 *
 * Invariants: a received message reaches a handler only after `decodeMessage` checked its kind against the
 * table and its body against the kind's schema; an unknown kind is RPC_UNKNOWN_MESSAGE, a body that does not
 * match is RPC_MALFORMED_MESSAGE — errors the connection answers or reports, never throws into the socket.
 */
import { z } from 'zod';
import { SluiceError } from '../errors/catalogue.js';

/** A request that gets exactly one reply. */
export interface CallSpec<B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly type: 'call';
  readonly body: B;
  readonly reply: R;
}

/** A one-way notification. */
export interface NoteSpec<B extends z.ZodType = z.ZodType> {
  readonly type: 'note';
  readonly body: B;
}

export type DirectionSpec = Record<string, CallSpec | NoteSpec>;

export interface Direction<S extends DirectionSpec> {
  /** For error messages: "job manager → task worker". */
  readonly name: string;
  readonly kinds: S;
}

export function call<B extends z.ZodType, R extends z.ZodType>(body: B, reply: R): CallSpec<B, R> {
  return { type: 'call', body, reply };
}

export function note<B extends z.ZodType>(body: B): NoteSpec<B> {
  return { type: 'note', body };
}

export function direction<S extends DirectionSpec>(name: string, kinds: S): Direction<S> {
  return { name, kinds };
}

export type Kind<S extends DirectionSpec> = keyof S & string;
export type Body<S extends DirectionSpec, K extends Kind<S>> = z.output<S[K]['body']>;
export type CallKind<S extends DirectionSpec> = { [K in Kind<S>]: S[K] extends CallSpec ? K : never }[Kind<S>];
export type NoteKind<S extends DirectionSpec> = { [K in Kind<S>]: S[K] extends NoteSpec ? K : never }[Kind<S>];
export type Reply<S extends DirectionSpec, K extends Kind<S>> =
  S[K] extends CallSpec<z.ZodType, infer R> ? z.output<R> : void;

/** The discriminated union of a direction's messages (of the kinds `K`, all by default). */
export type Message<S extends DirectionSpec, K extends Kind<S> = Kind<S>> = {
  [P in K]: { readonly kind: P; readonly body: Body<S, P> };
}[K];

/** What a receiver provides: a handler for every kind of the direction it receives. */
export type Handlers<S extends DirectionSpec> = {
  [K in Kind<S>]: (body: Body<S, K>) => Reply<S, K> | Promise<Reply<S, K>>;
};

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SluiceError };

/**
 * Checks a received message's kind and body against the direction's table; `as` is how it arrived (a
 * request must be of a call kind, a note of a note kind).
 */
export function decodeMessage<S extends DirectionSpec>(
  d: Direction<S>,
  as: 'call' | 'note',
  kind: unknown,
  body: unknown,
): Decoded<Message<S>> {
  if (typeof kind !== 'string' || !Object.hasOwn(d.kinds, kind))
    return {
      ok: false,
      error: new SluiceError(
        'RPC_UNKNOWN_MESSAGE',
        `unknown ${d.name} message kind ${JSON.stringify(kind)} (this side knows ${Object.keys(d.kinds).join(', ')}); is the peer another sluice version?`,
      ),
    };
  const spec = d.kinds[kind]!;
  if (spec.type !== as)
    return {
      ok: false,
      error: new SluiceError(
        'RPC_MALFORMED_MESSAGE',
        `${d.name} message "${kind}" is a ${spec.type === 'call' ? 'request' : 'notification'}, but arrived as a ${as === 'call' ? 'request' : 'notification'}`,
      ),
    };
  const parsed = spec.body.safeParse(body);
  if (!parsed.success)
    return {
      ok: false,
      error: new SluiceError('RPC_MALFORMED_MESSAGE', `malformed ${d.name} message "${kind}": ${issues(parsed.error)}`),
    };
  // The table lookup by `kind` and the parse by that kind's schema are what make this a Message<S>.
  return { ok: true, value: { kind, body: parsed.data } as Message<S> };
}

/** Checks the reply to a call of `kind` against its reply schema. */
export function decodeReply<S extends DirectionSpec, K extends CallKind<S>>(
  d: Direction<S>,
  kind: K,
  reply: unknown,
): Decoded<Reply<S, K>> {
  const spec = d.kinds[kind]!;
  const parsed = (spec.type === 'call' ? spec.reply : z.undefined()).safeParse(reply);
  if (!parsed.success)
    return {
      ok: false,
      error: new SluiceError(
        'RPC_MALFORMED_MESSAGE',
        `malformed reply to ${d.name} call "${kind}": ${issues(parsed.error)}`,
      ),
    };
  return { ok: true, value: parsed.data as Reply<S, K> };
}

/** Runs the handler of `message.kind` (the handler table is complete, so there always is one). */
export function dispatchMessage<S extends DirectionSpec, K extends Kind<S>>(
  handlers: Handlers<S>,
  message: Message<S, K>,
): Reply<S, K> | Promise<Reply<S, K>> {
  const handler: (body: Body<S, K>) => Reply<S, K> | Promise<Reply<S, K>> = handlers[message.kind];
  return handler(message.body);
}

function issues(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
}
