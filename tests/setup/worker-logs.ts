// Worker logs at INFO (state changes, bundling) drown test output; warnings and errors still show.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
