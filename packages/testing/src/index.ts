export { defaultBehaviour, type TaskBehaviour } from './behaviour.js';
export { faultyStore, type SimulatedFaults, SimulatedStoreError } from './faults.js';
export { containerInstanceOf, type SimulatedInstance } from './simulated-instance.js';
export { Simulation, type SimulationOptions } from './simulation.js';
export { advanceTask } from './task-lifecycle.js';
