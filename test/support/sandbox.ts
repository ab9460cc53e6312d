/**
 * The sandbox for a test, on ports found free. A port can be taken by another process between being
 * found free and being listened on (more likely while other test runs share the machine); the sandbox's
 * failed start leaves nothing behind, so it is started again on new ports, at most three times.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from '../../dev/start-sandbox.ts';

const TAKEN = /is in use by another process|EADDRINUSE/;

export async function startTestSandbox(options: SandboxOptions): Promise<Sandbox> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSandbox(options);
    } catch (error) {
      if (attempt >= 3 || !TAKEN.test(String((error as Error).message))) throw error;
    }
  }
}
