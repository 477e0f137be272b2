// Worker logs below ERROR (state changes, bundling, the test server's version warnings) drown test output.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('ERROR') });
