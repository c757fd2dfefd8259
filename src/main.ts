#!/usr/bin/env node
// src/main.ts: placeholder entry point (replaced by the composition root).
console.log('scanner-hls');
