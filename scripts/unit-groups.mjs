// Grouping of the unit tier: which test files share one Node process. tap starts a process per file it runs,
// and on Node 20 that start (tap's loaders and plugins) costs a unit file more CPU than its tests, so
// build-unit-tests.mjs writes one entry per group (dist/unit/groups/<name>.test.js) that runs the group's
// files one after the other, each as a subtest named by the file (test/support/unit-group/run-files.ts).
// Invariants: every test file is in exactly one group; groups follow the folders of test/unit (a group's
// name says where its files are): a folder with more than `splitAbove` files is dealt round-robin into
// near-equal parts of at most that many (neighbouring files, often the slow ones of a folder, land in
// different parts), and the smaller folders, in order, share groups of at most `mergeUpTo` files. Fewer groups
// cost less CPU (each process loads tap and the runtime once), smaller ones balance better over tap's jobs.
// The plan depends only on the list of files, or on the seed when one is given (the files shuffled, then cut
// into groups of `splitAbove` in that order: other neighbours and another order, to find tests that depend
// on what ran before them).

const folderOf = (file) => {
  const rest = file.slice('test/unit/'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? rest.replace(/\.test\.ts$/, '') : rest.slice(0, slash);
};

/** Groups of `files` (repository paths under test/unit/, `.test.ts`): `[{ name, files }]`. */
export function planGroups(files, { splitAbove = 10, mergeUpTo = 16, seed } = {}) {
  const sorted = [...files].sort();
  if (seed !== undefined) return shuffledGroups(sorted, splitAbove, seed);
  const folders = new Map();
  for (const f of sorted) {
    const k = folderOf(f);
    if (!folders.has(k)) folders.set(k, []);
    folders.get(k).push(f);
  }
  const groups = [];
  let small = [];
  const flushSmall = () => {
    if (small.length === 0) return;
    groups.push({ name: small.map((s) => s.folder).join('+'), files: small.flatMap((s) => s.files) });
    small = [];
  };
  for (const [folder, list] of folders) {
    if (list.length > splitAbove) {
      const parts = Math.ceil(list.length / splitAbove);
      for (let p = 0; p < parts; p++)
        groups.push({ name: `${folder}-${p + 1}`, files: list.filter((_, i) => i % parts === p) });
      continue;
    }
    if (small.reduce((n, s) => n + s.files.length, 0) + list.length > mergeUpTo) flushSmall();
    small.push({ folder, files: list });
  }
  flushSmall();
  return groups;
}

function shuffledGroups(sorted, maxFiles, seed) {
  // mulberry32: a small seeded generator, so a seed names one order on every machine
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const files = [...sorted];
  for (let i = files.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [files[i], files[j]] = [files[j], files[i]];
  }
  const groups = [];
  for (let i = 0; i < files.length; i += maxFiles)
    groups.push({ name: `seed-${seed}-${groups.length + 1}`, files: files.slice(i, i + maxFiles) });
  return groups;
}
