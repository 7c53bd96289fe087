// Every CLI command, in the order `netpol --help` lists them.
import type { Command } from '../command';
import { checkCommand } from './check';
import { convertCommand } from './convert';
import { demoCommand } from './demo';
import { diffCommand } from './diff';
import { listCommand } from './list';
import { lspCommand } from './lsp';
import { matrixCommand } from './matrix';
import { reachCommand } from './reach';
import { testCommand } from './test';

export const COMMANDS: Command[] = [matrixCommand, reachCommand, listCommand, checkCommand, testCommand, diffCommand, convertCommand, lspCommand, demoCommand];
