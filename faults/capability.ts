import { isKillable, isPausable, type Component, type Killable, type Pausable } from '../runtime/component.ts';
import { FaultInputError } from './fault-input-error.ts';

/** `component` as Killable; throws `FaultInputError` naming the fault and the component when it cannot be killed and restarted. */
export function requireKillable(kind: string, component: Component): Component & Killable {
  if (!isKillable(component))
    throw new FaultInputError(`${kind} fault: component "${component.name}" cannot be killed and restarted (it has no kill()/restart())`);
  return component;
}

/** `component` as Pausable; throws `FaultInputError` naming the fault and the component when it cannot be paused. */
export function requirePausable(kind: string, component: Component): Component & Pausable {
  if (!isPausable(component)) throw new FaultInputError(`${kind} fault: component "${component.name}" cannot be paused (it has no pause()/resume())`);
  return component;
}
