/**
 * The identifiers of the fake cluster behind FakeFacade (fake-facade.ts re-exports them): its one job, the
 * job's two vertices, the trigger id of every asynchronous operation started without one, and the first of
 * its two task managers. Invariant: these are the only ids the fake answers for; any other id is unknown.
 */
export const JOB = 'cca7bc1061d61cf15238e92312c2fc20';
export const V1 = 'bc764cd8ddf7a0cff126f51c16239658';
export const V2 = '0a448493b4782967b150582570326227';
export const TRIGGER = '2fd3e7c1a9b04c5d8e6f7a1b2c3d4e5f';
export const TM = '127.0.0.1:40011-b1c2d3';
