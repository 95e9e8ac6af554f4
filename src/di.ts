// tsyringe needs the Reflect metadata API before any decorated class is defined. Every module that uses the DI
// decorators imports them from here, so the polyfill is loaded first whatever file a program imports first.
import 'reflect-metadata';

export { container, inject, injectable, Lifecycle } from 'tsyringe';
export type { DependencyContainer } from 'tsyringe';
