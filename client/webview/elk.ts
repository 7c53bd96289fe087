// The reachability view's layout engine, bundled alone into dist/webview-elk.js and loaded by the view before
// dist/webview.js: ELK (the Eclipse Layout Kernel compiled to JavaScript; no eval, no network), run in the page.
import ELK from 'elkjs/lib/elk.bundled.js';

(globalThis as { NetpolElk?: typeof ELK }).NetpolElk = ELK;
