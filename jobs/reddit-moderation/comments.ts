/**
 * Seeded reddit-comment generator for the moderation use case (seed 001: /r/science-style comments, some
 * removed by moderators). Responsibility: realistic-looking comments `{id, subreddit, author, body,
 * createdUtcMs, label}` where `label = 1` marks a removed comment: toxicRate (7%) toxic ones plus 1% label
 * noise among the rest, so ~8% by default.
 *
 * Toxic comments use insults, spam links, ALL CAPS and repeated punctuation; normal comments overlap with
 * them on purpose (quoted insults, cited links, emphatic caps, "stupid question"), some removed comments
 * read like normal ones (subtle or off-topic removals), and a little label noise is added — so a
 * bag-of-words classifier is good but not perfect. `drift` (0..1) is the probability that a toxic
 * vocabulary draw (insult, insult template, scam pitch) comes from a second, newer vocabulary (new insults
 * and phrasing, link-free scams), i.e. concept drift; normal comments do not change with drift.
 *
 * Invariants: comment i is a pure function of (options, i) — random access for `DataGeneratorSource`
 * (`index → record`), so a replayed or rescaled job regenerates the same records; ids are unique per
 * index; `createdUtcMs` is strictly increasing in i; text is ASCII.
 */
import { seededRandom } from 'sluice/platform';

export interface Comment {
  id: string;
  subreddit: string;
  author: string;
  body: string;
  createdUtcMs: number;
  /** 1 = removed by moderators (toxic/spam), 0 = kept. Absent when generated with `labels: false`. */
  label?: 0 | 1;
}

export interface CommentOptions {
  seed: number;
  /** Probability that a comment is toxic (default 0.07); 1% of the others are labelled removed as well. */
  toxicRate?: number;
  /** 0..1: probability that a toxic word/phrase comes from the drifted vocabulary (default 0). */
  drift?: number;
  /** Event time of comment 0 (default 2020-07-23T00:00:00Z, the talk's date). */
  startMs?: number;
  /** Mean gap between comments in ms (default 1000): comment i falls at a jittered point of slot [i, i + 1). */
  intervalMs?: number;
  /** Include `label` (default true). */
  labels?: boolean;
}

export const DEFAULT_START_MS = Date.UTC(2020, 6, 23);

const SUBREDDITS: Record<string, string[]> = {
  science: [
    'the study',
    'this paper',
    'the sample size',
    'the control group',
    'peer review',
    'the meta analysis',
    'the effect size',
    'replication',
  ],
  askscience: [
    'quantum entanglement',
    'black holes',
    'photosynthesis',
    'plate tectonics',
    'the immune system',
    'entropy',
    'dark matter',
    'evolution',
  ],
  worldnews: [
    'the election',
    'the trade deal',
    'the sanctions',
    'the summit',
    'inflation',
    'the ceasefire',
    'the protests',
    'the central bank',
  ],
  technology: [
    'the new chip',
    'battery life',
    'the privacy policy',
    'open source',
    'the update',
    'self driving cars',
    'the data breach',
    'cloud storage',
  ],
  programming: [
    'the compiler',
    'type inference',
    'memory safety',
    'the garbage collector',
    'unit tests',
    'this library',
    'code review',
    'the borrow checker',
  ],
  movies: [
    'the sequel',
    'the soundtrack',
    'the director',
    'the plot twist',
    'the casting',
    'the cinematography',
    'the ending',
    'the trailer',
  ],
  gaming: [
    'the patch',
    'the boss fight',
    'matchmaking',
    'the open world',
    'the speedrun',
    'frame rate',
    'the remaster',
    'the skill tree',
  ],
  books: [
    'the author',
    'the translation',
    'the first chapter',
    'the audiobook',
    'the prose',
    'the narrator',
    'the series',
    'the epilogue',
  ],
};
const SUBREDDIT_NAMES = Object.keys(SUBREDDITS);

const OPENERS = [
  'I think',
  'Honestly,',
  'In my experience',
  'From what I read,',
  'Interesting,',
  'As far as I know',
  'Not sure, but',
  'To be fair,',
];
const VERBS = ['seems', 'looks', 'is', 'feels', 'turned out', 'might be', 'was always', 'is probably'];
const ADJECTIVES = [
  'interesting',
  'overrated',
  'underrated',
  'well done',
  'surprising',
  'complicated',
  'convincing',
  'a bit weak',
  'really solid',
  'hard to follow',
];
const FOLLOWUPS = [
  'Does anyone have a source for that?',
  'Thanks for sharing this.',
  'I would like to see more data before drawing conclusions.',
  'The comments here explain it better than the article.',
  'Can someone explain the methodology?',
  'That makes a lot of sense.',
  'I had the same question last week.',
  'Great write up, learned something new.',
  'This deserves more attention.',
  'I disagree, but I see your point.',
];
// Overlap with the toxic side: words and patterns that also appear in removed comments.
const BENIGN_OVERLAP = [
  'This might be a stupid question, but why does it work?',
  'I felt like an idiot when I finally understood it.',
  'Please do not call people idiots, it does not help the discussion.',
  'Source: https://doi.org/10.1038/s41586-020-2649-2',
  'Full paper here: https://arxiv.org/abs/2007.01234',
  'THIS is the important part!!',
  'Wow!!! Did not expect that.',
  'The trailer was garbage but the movie is great.',
  'Free version of the paper: www.ncbi.nlm.nih.gov/pmc/',
  'Shut up and take my money, this looks amazing.',
];

const INSULTS = ['idiot', 'moron', 'stupid', 'pathetic', 'loser', 'dumb', 'clueless', 'trash', 'garbage', 'ignorant'];
const INSULTS_DRIFTED = ['clown', 'npc', 'bot', 'shill', 'cope', 'ratio', 'snowflake', 'grifter', 'simp', 'boomer'];
const SPAM = [
  'make money fast',
  'free followers',
  'cheap pills',
  'work from home',
  'click here',
  'earn cash now',
  'hot singles',
  'free gift card',
];
const SPAM_DRIFTED = [
  'nft airdrop',
  'crypto giveaway',
  'join my telegram',
  'free mint',
  'double your bitcoin',
  'presale token',
  'dm for signals',
  'claim your airdrop',
];
const SPAM_HOSTS = ['bit.ly', 'tinyurl.com', 'free-prizes.biz', 'cash4you.info', 'deals-now.xyz', 'win-big.top'];
const SPAM_HOSTS_DRIFTED = [
  't.me',
  'airdrop-claim.io',
  'nft-mint.app',
  'moon-token.fi',
  'wallet-verify.net',
  'giveaway-eth.org',
];
const TOXIC_OPENERS = ['Only', 'Typical', 'Nobody asked,', 'Wow,', 'Imagine being', 'Listen'];
const TOXIC_TEMPLATES = [
  'you are a {insult} and everyone knows it',
  'only a {insult} would believe {topic} works like that',
  'shut up you {insult}',
  'what a {insult} take, go back to school',
  'nobody cares about your {insult} opinion on {topic}',
  'get lost {insult}, {topic} is not for you',
  'you have to be a total {insult} to write this',
  'this whole thread is full of {insult} people',
];
// The drifted community's phrasing: new insult templates and link-free scams (so drift is not only new words
// in old sentences, which a model would still catch by the sentence around them).
const TOXIC_TEMPLATES_DRIFTED = [
  'ratio plus you fell off {insult}',
  'imagine unironically caring about {topic}, {insult} behaviour',
  'touch grass {insult}',
  'average {topic} enjoyer is a {insult}',
  'cope harder {insult}, nobody will read your essay',
  'massive {insult} energy in this thread',
  'least obvious {insult} on this sub',
  'go back to your echo chamber {insult}',
];
const SPAM_CALLS_DRIFTED = ['dm me', 'message me on telegram', 'check my profile', 'link in my bio', 'send me a chat'];
const AUTHOR_A = [
  'quiet',
  'curious',
  'happy',
  'lazy',
  'brave',
  'sleepy',
  'rusty',
  'cosmic',
  'mellow',
  'salty',
  'clever',
  'grumpy',
];
const AUTHOR_B = [
  'otter',
  'panda',
  'falcon',
  'badger',
  'walrus',
  'lemur',
  'photon',
  'quark',
  'newt',
  'heron',
  'moose',
  'gecko',
];

/** Mixes (seed, index) into a 32-bit seed (splitmix-style finaliser); distinct indices get unrelated streams. */
function mixSeed(seed: number, index: number): number {
  let h =
    (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index >>> 0, 0x85ebca6b) ^ Math.floor(index / 4294967296)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const chance = (rnd: Rnd, p: number): boolean => rnd() < p;
const capitalise = (s: string): string => (s.length ? s[0]!.toUpperCase() + s.slice(1) : s);

function normalSentence(rnd: Rnd, topics: string[]): string {
  return `${pick(rnd, OPENERS)} ${pick(rnd, topics)} ${pick(rnd, VERBS)} ${pick(rnd, ADJECTIVES)}.`;
}

function normalBody(rnd: Rnd, topics: string[]): string {
  const parts = [normalSentence(rnd, topics)];
  if (chance(rnd, 0.6)) parts.push(pick(rnd, FOLLOWUPS));
  if (chance(rnd, 0.3)) parts.push(normalSentence(rnd, topics));
  if (chance(rnd, 0.12)) parts.splice(Math.floor(rnd() * (parts.length + 1)), 0, pick(rnd, BENIGN_OVERLAP));
  return parts.join(' ');
}

function spamLink(rnd: Rnd, drift: number): string {
  const host = chance(rnd, drift) ? pick(rnd, SPAM_HOSTS_DRIFTED) : pick(rnd, SPAM_HOSTS);
  return `${chance(rnd, 0.7) ? 'https://' : 'http://'}${host}/${Math.floor(rnd() * 1e6).toString(36)}`;
}

function toxicBody(rnd: Rnd, topics: string[], drift: number): string {
  const insult = (): string => (chance(rnd, drift) ? pick(rnd, INSULTS_DRIFTED) : pick(rnd, INSULTS));
  const kind = rnd();
  let body: string;
  if (kind < 0.55) {
    // Insults: a template, sometimes preceded by a jab and followed by a second insult.
    const driftedTemplate = chance(rnd, drift);
    body = pick(rnd, driftedTemplate ? TOXIC_TEMPLATES_DRIFTED : TOXIC_TEMPLATES)
      .replace('{insult}', insult())
      .replace('{topic}', pick(rnd, topics));
    // The newer style hides in otherwise ordinary comments; the older one opens with a jab.
    if (driftedTemplate && chance(rnd, 0.6)) body = `${normalSentence(rnd, topics)} ${capitalise(body)}`;
    else if (chance(rnd, 0.4)) body = `${pick(rnd, TOXIC_OPENERS)} ${insult()}. ${capitalise(body)}`;
    if (chance(rnd, 0.3)) body += ` ${capitalise(insult())}.`;
  } else if (kind < 0.8) {
    // Spam: a pitch and a link, often on an otherwise on-topic sentence.
    const drifted = chance(rnd, drift);
    const pitch = drifted ? pick(rnd, SPAM_DRIFTED) : pick(rnd, SPAM);
    body =
      drifted && chance(rnd, 0.7)
        ? `${capitalise(pitch)}, ${pick(rnd, SPAM_CALLS_DRIFTED)}`
        : `${capitalise(pitch)} ${spamLink(rnd, drift)}`;
    if (chance(rnd, 0.5)) body = `${normalSentence(rnd, topics)} ${body}`;
    if (chance(rnd, 0.3)) body += ` ${pitch}`;
  } else if (kind < 0.92) {
    // Subtle: reads almost like a normal comment, one dismissive word.
    body = `${normalSentence(rnd, topics)} ${capitalise(pick(rnd, topics))} is ${insult()} and so is this sub.`;
  } else {
    // Off-topic or rule-breaking removals that look like normal comments.
    body = normalBody(rnd, pick(rnd, Object.values(SUBREDDITS)));
  }
  if (chance(rnd, 0.25)) body = body.toUpperCase();
  if (chance(rnd, 0.35)) body = body.replace(/[.]?$/, pick(rnd, ['!!!', '!!!!!', '???', '?!?!', '!!1']));
  return body;
}

/** Returns `index → comment` for `DataGeneratorSource`; a pure function of (options, index). */
export function createCommentGenerator(opts: CommentOptions): (index: number) => Comment {
  const toxicRate = opts.toxicRate ?? 0.07;
  const drift = Math.min(1, Math.max(0, opts.drift ?? 0));
  const startMs = opts.startMs ?? DEFAULT_START_MS;
  const intervalMs = opts.intervalMs ?? 1000;
  const withLabels = opts.labels ?? true;
  if (!(toxicRate >= 0 && toxicRate <= 1)) throw new RangeError(`toxicRate must be in [0, 1], got ${toxicRate}`);
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  return (index: number): Comment => {
    if (!Number.isSafeInteger(index) || index < 0)
      throw new RangeError(`comment index must be a non-negative integer, got ${index}`);
    const rnd = seededRandom(mixSeed(opts.seed, index));
    const subreddit = pick(rnd, SUBREDDIT_NAMES);
    const topics = SUBREDDITS[subreddit]!;
    const toxic = chance(rnd, toxicRate);
    const trollAuthor = toxic && chance(rnd, 0.5);
    const author = trollAuthor
      ? `${pick(rnd, ['xX', 'real', 'truth', 'based'])}_${pick(rnd, AUTHOR_B)}${Math.floor(rnd() * 10)}`
      : `${pick(rnd, AUTHOR_A)}_${pick(rnd, AUTHOR_B)}_${Math.floor(rnd() * 100)}`;
    const body = toxic ? toxicBody(rnd, topics, drift) : normalBody(rnd, topics);
    // Label noise: a few kept comments were removed anyway (rule 1 violations the text does not show).
    const label: 0 | 1 = toxic || chance(rnd, 0.01) ? 1 : 0;
    // Comment i falls strictly inside its own slot (i, i + 1) × interval, so times strictly increase with i.
    const createdUtcMs = startMs + Math.floor((index + 0.5 + (rnd() - 0.5) * 0.999) * intervalMs);
    const c: Comment = { id: `t1_${(1_000_000_000 + index).toString(36)}`, subreddit, author, body, createdUtcMs };
    if (withLabels) c.label = label;
    return c;
  };
}

/** Comments [from, from + count) of the generator for `opts`. */
export function generateComments(opts: CommentOptions, count: number, from = 0): Comment[] {
  const gen = createCommentGenerator(opts);
  const out: Comment[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = gen(from + i);
  return out;
}

/** Every word of the toxic vocabularies (both drift states), for tests and for explaining drift. */
export const TOXIC_VOCABULARY = {
  insults: INSULTS,
  insultsDrifted: INSULTS_DRIFTED,
  templates: TOXIC_TEMPLATES,
  templatesDrifted: TOXIC_TEMPLATES_DRIFTED,
  spam: SPAM,
  spamDrifted: SPAM_DRIFTED,
} as const;
