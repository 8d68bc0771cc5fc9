export { defaultBehaviour, type TaskBehaviour } from './behaviour.js';
export { faultyStore, type SimulatedFaults, SimulatedStoreError } from './faults.js';
export type { ContainerBehaviour } from './simulated-container.js';
export { type PullBehaviour, SimulatedEngine, type SimulatedEngineOptions } from './simulated-engine.js';
export { containerInstanceOf, type SimulatedInstance } from './simulated-instance.js';
export { Simulation, type SimulationOptions } from './simulation.js';
