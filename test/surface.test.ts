// The public surface is what users may rely on for years: the operators, the state machines and the types. The data
// structures inside the state machines stay internal.
//
// docs/reference.md lists every name each entry exports. This test builds the type declarations as `npm run build`
// does (tsconfig.build.json, `stripInternal` included) and holds each entry's `.d.ts`, and what the entry exports at
// run time, to that list. It then typechecks the declarations and every example of the documentation against them,
// so nothing a user needs was marked `@internal` and stripped.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, isSketch, root } from './documents.js';

/** The package's entries: adding one is one row here and one section in docs/reference.md. */
const ENTRIES = [
  { entry: 'index', specifier: 'rx-audio-mixer', load: () => import('rx-audio-mixer') },
  { entry: 'rtp', specifier: 'rx-audio-mixer/rtp', load: () => import('rx-audio-mixer/rtp') },
  { entry: 'nats', specifier: 'rx-audio-mixer/nats', load: () => import('rx-audio-mixer/nats') },
  { entry: 'werift', specifier: 'rx-audio-mixer/werift', load: () => import('rx-audio-mixer/werift') },
];

interface Documented {
  values: string[];
  types: string[];
}

/** The names docs/reference.md lists for `specifier`: its section's table, kind `type` or a value's kind. */
function documented(specifier: string): Documented {
  const page = readFileSync(`${root}docs/reference.md`, 'utf8');
  const start = page.indexOf(`\n## \`${specifier}\`\n`);
  expect(start, `docs/reference.md has no section ## \`${specifier}\``).toBeGreaterThanOrEqual(0);
  const end = page.indexOf('\n## ', start + 1);
  const section = page.slice(start, end === -1 ? undefined : end);
  const rows = [...section.matchAll(/^\| `(\w+)` \| (\w+) \|/gm)].map(([, name = '', kind = '']) => ({ name, kind }));
  return {
    values: rows.filter((row) => row.kind !== 'type').map((row) => row.name).sort(),
    types: rows.filter((row) => row.kind === 'type').map((row) => row.name).sort(),
  };
}

// Inside the repository, so that the declarations' own imports (rxjs, rtp.js) resolve as a user's would.
const out = join(root, 'node_modules', '.cache', 'rx-audio-mixer-surface');
const declarations = join(out, 'dist');
const examples = join(out, 'examples');

function parsedConfig(file: string, overrides: ts.CompilerOptions): ts.ParsedCommandLine {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, file), overrides, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error(`${file}: cannot be read`);
  return config;
}

// The two programs below share what neither changes (TypeScript's lib, the dependencies' declarations): parsed once.
const parsed = new Map<string, ts.SourceFile>();
function host(options: ts.CompilerOptions): ts.CompilerHost {
  const compilerHost = ts.createCompilerHost(options);
  const read = compilerHost.getSourceFile.bind(compilerHost);
  compilerHost.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (fileName.startsWith(out) || !fileName.includes('/node_modules/')) {
      return read(fileName, languageVersion, onError, shouldCreate);
    }
    let file = parsed.get(fileName);
    if (file === undefined) {
      file = read(fileName, languageVersion, onError, shouldCreate);
      if (file !== undefined) parsed.set(fileName, file);
    }
    return file;
  };
  return compilerHost;
}

function report(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => {
    const where = diagnostic.file?.fileName.slice(out.length + 1) ?? '';
    return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}

/** What each entry's `.d.ts` exports, each name a type or a value; and the emitter's and checker's complaints. */
let exported: Map<string, Documented>;
let emitErrors: string[];
let checkErrors: string[];

beforeAll(() => {
  rmSync(out, { recursive: true, force: true });
  // The build, as `npm run build` runs it, declarations only.
  const build = parsedConfig('tsconfig.build.json', {
    outDir: declarations,
    emitDeclarationOnly: true,
    declarationMap: false,
    sourceMap: false,
  });
  const built = ts.createProgram(build.fileNames, build.options, host(build.options));
  emitErrors = report(built.emit().diagnostics);

  // Every runnable example of the documentation, importing the package by its name, as a user's code would.
  mkdirSync(examples, { recursive: true });
  const files = codeBlocks()
    .filter(({ code }) => !isSketch(code))
    .map(({ file, code }, index) => {
      const path = join(examples, `${file.replace(/\.md$/, '').replace(/\//g, '-')}-${index}.ts`);
      writeFileSync(path, code);
      return path;
    });
  const base = parsedConfig('tsconfig.json', {});
  const options: ts.CompilerOptions = {
    ...base.options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    skipLibCheck: false, // the declarations are checked too
    types: ['node'],
    paths: Object.fromEntries(ENTRIES.map(({ entry, specifier }) => [specifier, [join(declarations, `${entry}.d.ts`)]])),
  };
  delete options.rootDir;
  const entries = ENTRIES.map(({ entry }) => join(declarations, `${entry}.d.ts`));
  const checked = ts.createProgram([...entries, ...files], options, host(options));
  const ours = checked.getSourceFiles().filter((file) => file.fileName.startsWith(out));
  checkErrors = report([
    ...checked.getOptionsDiagnostics(),
    ...checked.getGlobalDiagnostics(),
    ...ours.flatMap((file) => [...checked.getSyntacticDiagnostics(file), ...checked.getSemanticDiagnostics(file)]),
  ]);

  const checker = checked.getTypeChecker();
  exported = new Map(
    ENTRIES.map(({ entry, specifier }) => {
      const file = checked.getSourceFile(join(declarations, `${entry}.d.ts`));
      const module = file === undefined ? undefined : checker.getSymbolAtLocation(file);
      const names: Documented = { values: [], types: [] };
      for (const symbol of module === undefined ? [] : checker.getExportsOfModule(module)) {
        const specifierNode = symbol.declarations?.find(ts.isExportSpecifier);
        const typeOnly = specifierNode !== undefined && (specifierNode.isTypeOnly || specifierNode.parent.parent.isTypeOnly);
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        (typeOnly || !(target.flags & ts.SymbolFlags.Value) ? names.types : names.values).push(symbol.name);
      }
      names.values.sort();
      names.types.sort();
      return [specifier, names];
    }),
  );
}, 180_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('the .d.ts of each entry lists exactly the documented API (docs/reference.md)', () => {
  it('the build emits its declarations without an error', () => {
    expect(emitErrors).toStrictEqual([]);
  });

  it.each(ENTRIES)('$specifier: its .d.ts exports the documented values and types, nothing else', ({ specifier }) => {
    expect(exported.get(specifier)).toStrictEqual(documented(specifier));
  });

  it.each(ENTRIES)(
    '$specifier: at run time it exports the documented values, nothing else',
    async ({ specifier, load }) => {
      expect(Object.keys(await load()).sort()).toStrictEqual(documented(specifier).values);
    },
    60_000,
  );

  it('members marked @internal do not reach the declarations (stripInternal)', () => {
    const files = readdirSync(declarations, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));
    expect(files.length).toBeGreaterThan(10);
    const leaked = files.filter((file) => readFileSync(join(declarations, file), 'utf8').includes('@internal'));
    expect(leaked).toStrictEqual([]);
  });

  it('the declarations and every example of the documentation typecheck against them: nothing public was stripped', () => {
    expect(checkErrors).toStrictEqual([]);
  });
});

it('the werift entry exports its operators, state machine and helper', async () => {
  const werift = await import('rx-audio-mixer/werift');
  expect(Object.keys(werift).sort()).toStrictEqual(
    ['WeriftOutputWriter', 'audioLevelExtensionId', 'fromWeriftTrack', 'toWeriftTracks'].sort(),
  );
});

it('src/, the sans-IO core, imports neither RxJS nor the operators', () => {
  const source = join(root, 'src');
  const files = readdirSync(source, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(10);
  for (const file of files) {
    const text = readFileSync(join(source, file), 'utf8');
    expect(text, file).not.toMatch(/from '(rxjs|[./]*operators\/)/);
  }
});
