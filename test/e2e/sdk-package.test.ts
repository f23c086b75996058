/**
 * The client SDK as a package: (1) built for browsers and edge runtimes with vite (the
 * dashboard's bundler), its bundle holds nothing but the SDK's modules and core's import-free ones
 * — no Node built-in, nothing externalised, no `require` — and (2) compiled with the package's own
 * build settings (tsconfig.build.json), without Node's types, beside the package's package.json, `import { DataApiClient }
 * from 'inlet/client'` resolves through `exports` for Node and for TypeScript.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { build, type Rollup } from 'vite'
import { ROOT, tempDir } from '../helpers/server.js'

const run = promisify(execFile)

/** What the client may bundle: its own modules and core's modules that import nothing. */
const ALLOWED = /^src\/(client\/[a-z-]+|core\/(records|reports|clock|wire-limits))\.ts$/

describe('client SDK package', { timeout: 120_000 }, () => {
  it('bundles for the browser with no Node built-in', async () => {
    const warnings: string[] = []
    const result = await build({
      configFile: false,
      logLevel: 'silent',
      root: ROOT,
      build: {
        write: false,
        minify: false,
        lib: { entry: join(ROOT, 'src/client/index.ts'), formats: ['es'], fileName: 'client' },
        rollupOptions: { onwarn: (warning) => void warnings.push(warning.message) },
      },
    })
    const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[]
    const chunks = outputs.flatMap((o) => o.output).filter((c) => c.type === 'chunk')
    assert.equal(chunks.length, 1)
    const [chunk] = chunks
    assert.ok(chunk !== undefined)
    assert.deepEqual(warnings, [], 'nothing externalised for browser compatibility')
    assert.deepEqual(chunk.imports, [], 'the bundle imports nothing')
    assert.deepEqual(chunk.dynamicImports, [])
    const modules = chunk.moduleIds
      .filter((id) => !id.startsWith('\0'))
      .map((id) => id.slice(ROOT.length + 1))
    assert.ok(modules.includes('src/client/data-api-client.ts'))
    for (const id of modules) assert.match(id, ALLOWED)
    assert.doesNotMatch(chunk.code, /__vite-browser-external|\bnode:|\brequire\(/)
    assert.match(chunk.code, /\bDataApiClient = class\b|\bclass DataApiClient\b/)
  })

  it("resolves `import { DataApiClient } from 'inlet/client'` through package.json exports", async (t) => {
    const dir = tempDir(t, 'inlet-sdk-package-')
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'))
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.build.json'),
        // Without Node's types: the client compiles against the web platform's alone.
        compilerOptions: {
          rootDir: join(ROOT, 'src'),
          outDir: join(dir, 'dist'),
          sourceMap: false,
          types: [],
          lib: ['ES2023', 'DOM'],
        },
        include: [],
        files: [join(ROOT, 'src/client/index.ts')],
      }),
    )
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
    await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir })

    // Node, through `exports` (the package names itself), from the compiled files.
    const script = [
      "import { DataApiClient, ValidationError } from 'inlet/client'",
      "const c = new DataApiClient({ dataCenter: '02' }, 'WS', 'KEY')",
      'console.log(c.baseUrl, typeof ValidationError)',
    ].join('\n')
    const node = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir })
    assert.equal(node.stdout.trim(), 'https://api-02.moengage.com function')

    // TypeScript, through the `types` condition.
    mkdirSync(join(dir, 'consumer'))
    writeFileSync(
      join(dir, 'consumer/use.ts'),
      [
        "import { DataApiClient, type UserRecord } from 'inlet/client'",
        "const user: UserRecord = { customer_id: 'john', attributes: { points: 1 } }",
        "export const queued: Promise<void> = new DataApiClient({ baseUrl: 'http://x' }, 'W', 'K').trackUser(user)",
      ].join('\n'),
    )
    writeFileSync(
      join(dir, 'consumer/tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          lib: ['ES2023', 'DOM'],
          types: [],
        },
        files: ['use.ts'],
      }),
    )
    await run(process.execPath, [tsc, '-p', join(dir, 'consumer/tsconfig.json')], { cwd: dir })
  })
})
