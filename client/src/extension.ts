// VS Code extension entry point (bundled as dist/extension.js). Filled in by the extension work.
export function activate(): void {}
export function deactivate(): void {}
