import { FlowForgeError, NotFoundProblem } from '@flowforge/service-kit';

export const triggerNotFound = (name: string): NotFoundProblem => new NotFoundProblem('FF_TRIGGER_NOT_FOUND', `trigger "${name}" does not exist`);

export class TriggerTypeUnknownProblem extends FlowForgeError {
  constructor(type: string, known: string[]) {
    super('FF_TRIGGER_TYPE_UNKNOWN', 400, 'Request validation failed', `type "${type}" is not a trigger type here; known: ${known.join(', ')}`, [
      { field: 'type', message: `must be one of ${known.join(', ')}` },
    ]);
  }
}

export class TriggerCreateForbiddenProblem extends FlowForgeError {
  constructor(name: string) {
    super('FF_FORBIDDEN', 403, 'Forbidden', `trigger "${name}" does not exist and creating one needs trigger:create, which the caller does not hold`);
  }
}
