// Each test runs three or more haclusterd processes with a 1 s deadtime: run the classes one at a
// time so that on a 2-core machine their heartbeats do not starve each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
