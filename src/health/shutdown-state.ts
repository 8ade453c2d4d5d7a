import { Injectable } from '@nestjs/common';

/** Flipped at SIGTERM so readiness fails at once while in-flight requests finish. */
@Injectable()
export class ShutdownState {
  draining = false;
}
