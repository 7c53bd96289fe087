// Every CLI command, in the order `netpol --help` lists them.
import type { Command } from '../command';
import { demoCommand } from './demo';
import { listCommand } from './list';
import { matrixCommand } from './matrix';
import { reachCommand } from './reach';

export const COMMANDS: Command[] = [matrixCommand, reachCommand, listCommand, demoCommand];
