// The layer rule of Inlet's architecture (docs/architecture.md): each folder of src/ sits in one
// layer and imports only folders of lower layers (and itself). Same-layer siblings do not import
// each other, so no two folders can form a cycle. Every import counts, type-only ones too (a type
// import is still a dependency). Tests (*.test.ts) and test/, bench/ are outside the layers.
import path from 'node:path'

/** Bottom first. A folder of src/ missing here is an error: a new folder must choose its layer. */
export const LAYERS = [
  ['core'], // errors, the error catalogue, record and settings types, clock, ids, log, config
  ['store', 'client'], // the Store interface and its adapters; the client SDK (core's pure types only)
  ['profile', 'governance'], // MoEngage's profile semantics; quotas and fair usage
  ['workspaces', 'segments', 'imports'], // workspaces, keys, settings; the segment grammar; file imports and exports over the client SDK
  ['privacy'], // GDPR erasure semantics, suppressions
  ['ingest'], // accept → durable log (group commit, log writer)
  ['inbox'], // card sends into inboxes (the processor sends event-triggered ones)
  ['processor', 'delivery'], // log → profile store (steps, batches, erasure, sweeps); outbox delivery
  ['http'], // the HTTP platform: gateway, auth variants, envelopes, body parsing, shedding
  ['families/*'], // one folder per API family: routes, bodies, envelope, quotas
  ['server'], // the composition root: wires every layer, threads' entries
  ['cli'], // the command line, over the composition root
]

/** The element a source file belongs to: `families/data`, `store`, …; undefined outside src/. */
export function elementOf(file, srcDir) {
  const rel = path.relative(srcDir, file)
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined
  const parts = rel.split(path.sep)
  if (parts.length < 2) return '.' // a file directly in src/
  if (parts[0] === 'families') return parts.length > 2 ? `families/${parts[1]}` : 'families'
  return parts[0]
}

/** The layer index of an element, or -1 when the table has no place for it. */
export function layerOf(element) {
  const pattern = element.startsWith('families/') ? 'families/*' : element
  return LAYERS.findIndex((layer) => layer.includes(pattern))
}

function isTestFile(file) {
  return /\.test\.ts$/.test(file)
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports go only to lower layers (docs/architecture.md)' },
    schema: [],
    messages: {
      upward:
        "'{{from}}' (layer {{fromLayer}}) may not import '{{to}}' (layer {{toLayer}}): imports go only to lower layers (docs/architecture.md).",
      sibling:
        "'{{from}}' may not import its sibling '{{to}}' in the same layer: move what both need to a lower layer (docs/architecture.md).",
      unplaced:
        "'{{element}}' has no layer: add the folder to LAYERS in eslint/layers.js (docs/architecture.md).",
    },
  },
  create(context) {
    const file = context.filename
    const srcDir = path.join(context.cwd, 'src')
    const from = elementOf(file, srcDir)
    if (from === undefined || isTestFile(file)) return {}
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return
      const to = elementOf(path.resolve(path.dirname(file), source), srcDir)
      if (to === undefined || to === from) return
      const fromLayer = layerOf(from)
      const toLayer = layerOf(to)
      if (fromLayer === -1 || toLayer === -1) {
        context.report({
          node,
          messageId: 'unplaced',
          data: { element: fromLayer === -1 ? from : to },
        })
      } else if (toLayer > fromLayer) {
        context.report({ node, messageId: 'upward', data: { from, to, fromLayer, toLayer } })
      } else if (toLayer === fromLayer) {
        context.report({ node, messageId: 'sibling', data: { from, to } })
      }
    }
    const fromSource = (node) => check(node, node.source?.value)
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) =>
        check(node, node.source.type === 'Literal' ? node.source.value : undefined),
      TSImportType: (node) => check(node, node.argument?.literal?.value ?? node.argument?.value),
    }
  },
}

export default { meta: { name: 'inlet-layers' }, rules: { layers: rule } }
