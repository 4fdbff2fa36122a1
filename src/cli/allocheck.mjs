#!/usr/bin/env node
// The `allocheck` bin: runs the TypeScript CLI through tsx's loader (a dependency).
import { register } from "tsx/esm/api";

register();
await import("./run.ts");
