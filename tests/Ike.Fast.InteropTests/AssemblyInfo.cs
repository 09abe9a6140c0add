// The interop classes each own a pair of namespaces and daemons; run them one after the other so that they do not
// compete for the two CPU cores with each other (timeouts stay short and meaningful).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
