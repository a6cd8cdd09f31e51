// The driver errors both drivers raise, in Docker's words (the fake answers as the engine would).
import { DriverError } from '../errors.js';

export const engineUnreachable = (during?: string): DriverError =>
  new DriverError(`Docker Engine is unreachable${during ? ` (ECONNRESET) during ${during}` : ''}`, 'unavailable');
export const noSuchContainer = (name: string): DriverError =>
  new DriverError(`No such container: ${name}`, 'not-found');
export const containerNotRunning = (name: string): DriverError =>
  new DriverError(`Container ${name} is not running`, 'conflict');
export const containerNotPaused = (name: string): DriverError =>
  new DriverError(`Container ${name} is not paused`, 'conflict');
export const networkAddressingConflict = (network: string): DriverError =>
  new DriverError(`Docker network ${network} has other addressing and endpoints still attached`, 'conflict');
