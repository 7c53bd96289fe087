// Language server entry point (bundled as dist/server.js). Filled in by the language server work.
export {};
