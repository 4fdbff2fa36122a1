#!/usr/bin/env node
/** The `allocheck` bin, built to dist/src/cli/allocheck.js and run by plain node (package.json). */
import "./run.ts";
