/**
 * ts-node transpiler for tap: esbuild's TypeScript transform instead of TypeScript's own transpileModule.
 * tap runs each test file in a fresh Node process through ts-node (type checking off); with TypeScript's
 * transpiler every process spends most of its time re-transpiling the runtime it imports (about 50 s of a
 * small unit test on a loaded 2-core machine, against 6 s with esbuild). Type checking stays with
 * `npm run typecheck` (part of `npm test`). Safe because tsconfig sets `isolatedModules` (per-file transpile).
 * Configured in tsconfig.tap.json, which tap picks up before tsconfig.json.
 */
const { transformSync } = require('esbuild');

exports.create = (createOptions) => {
  const format = createOptions.nodeModuleEmitKind === 'nodecjs' ? 'cjs' : 'esm';
  return {
    transpile(input, { fileName }) {
      const r = transformSync(input, {
        loader: fileName.endsWith('x') ? 'tsx' : 'ts',
        format,
        target: 'es2022',
        sourcemap: 'external',
        sourcefile: fileName,
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: false } },
      });
      return { outputText: r.code, sourceMapText: r.map };
    },
  };
};
