using BenchmarkDotNet.Running;

// Runs every benchmark (or those --filter picks) and writes GitHub-markdown tables under
// BenchmarkDotNet.Artifacts/results, each with the machine it ran on.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
