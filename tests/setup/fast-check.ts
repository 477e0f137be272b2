// A failed property names the error that failed it (the assertion, or what a service threw), not only its
// counterexample: a property that fails once in many runs must say why the first time.
import fc from 'fast-check';

fc.configureGlobal({ includeErrorInReport: true });
