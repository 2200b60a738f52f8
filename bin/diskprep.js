#!/usr/bin/env node
// diskprep's command-line entry. All logic lives in dist/ (built from src/ by `npm run build`).
import { main } from '../dist/main.js';

await main();
