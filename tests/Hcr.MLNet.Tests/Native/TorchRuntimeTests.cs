using Hcr.MLNet.Native;
using Hcr.MLNet.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Hcr.MLNet.Tests.Native;

public class TorchRuntimeTests
{
    [Fact]
    public void Initializes_with_no_manual_step_and_trains_a_small_network()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var x = torch.randn(64, 8);
        var y = (x[.., 0] > 0).to(ScalarType.Int64);
        var model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2));
        var optimizer = optim.Adam(model.parameters(), lr: 0.05);
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first / 4, $"loss should fall: {first} -> {last}");
    }

    [Fact]
    public void Patches_exactly_the_versions_this_systems_libraries_lack()
    {
        TorchRuntimeStatus status = TorchRuntime.EnsureInitialized();
        string shim = NativeFiles.Shim;
        var needs = ElfFile.Parse(File.ReadAllBytes(shim), shim).VersionNeeds;
        var defined = ElfFile.Parse(File.ReadAllBytes(NativeFiles.LibStdCxx), NativeFiles.LibStdCxx).VersionDefinitions;
        string[] lacking = needs.Where(n => n.File == "libstdc++.so.6" && !defined.Contains(n.Version))
            .Select(n => $"{n.Version} ({n.File})").ToArray();

        Assert.Equal(lacking, status.WeakenedVersions);
        if (lacking.Length == 0)
        {
            Assert.Equal(shim, status.ShimPath);
            return;
        }
        Assert.NotEqual(shim, status.ShimPath);
        Assert.StartsWith(PatchedLibraryCache.DefaultDirectory, status.ShimPath);
        var patched = ElfFile.Parse(File.ReadAllBytes(status.ShimPath), status.ShimPath);
        Assert.All(patched.VersionNeeds.Where(n => lacking.Contains($"{n.Version} ({n.File})")), n => Assert.Equal(2, n.Flags & 2));
        // TorchSharp is running on the patched copy, not on a second copy of the shim.
        Assert.Contains(status.ShimPath, LoadedLibraries.MappedFiles());
        Assert.DoesNotContain(shim, LoadedLibraries.MappedFiles());
    }

    [Fact]
    public void Tunes_the_glibc_allocator_by_default()
    {
        TorchRuntimeStatus status = TorchRuntime.EnsureInitialized();
        Assert.Equal(OperatingSystem.IsLinux() ? AllocatorTuning.Applied : AllocatorTuning.NotGlibc, status.Allocator);
    }

    [Fact]
    public void Leaves_the_allocator_alone_when_another_one_serves_malloc()
    {
        Assert.True(GlibcAllocator.ServedByOtherAllocator(libcMalloc: 100, globalMalloc: 200));
        Assert.False(GlibcAllocator.ServedByOtherAllocator(libcMalloc: 100, globalMalloc: 100));
        Assert.False(GlibcAllocator.ServedByOtherAllocator(libcMalloc: 100, globalMalloc: 0));
    }

    [Fact]
    public void Device_choice_follows_cuda_availability()
    {
        TorchRuntimeStatus status = TorchRuntime.EnsureInitialized();
        Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice(ComputeDevice.Cpu).type);
        Assert.Equal(status.CudaAvailable ? DeviceType.CUDA : DeviceType.CPU, TorchRuntime.ResolveDevice(ComputeDevice.Auto).type);
        if (!status.CudaAvailable)
        {
            var e = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.ResolveDevice(ComputeDevice.Cuda));
            Assert.Contains("TorchSharp-cuda-linux", e.Message);
        }
    }

    [Fact]
    public void Missing_libtorch_names_the_package_to_add()
    {
        using var empty = new TempDirectory();
        var e = Assert.Throws<TorchRuntimeException>(() =>
            TorchRuntime.Initialize(new TorchRuntimeOptions { TuneAllocator = false, NativeSearchDirectories = [empty.Path] }));
        Assert.Contains("TorchSharp-cpu", e.Message);
        Assert.Contains("TorchSharp-cuda-linux", e.Message);
        Assert.Contains(empty.Path, e.Message);
    }

    [Fact]
    public void Thread_count_is_applied_and_validated()
    {
        TorchRuntime.SetThreads(1);
        Assert.Equal(1, torch.get_num_threads());
        TorchRuntime.SetThreads(null);
        Assert.Equal(Environment.ProcessorCount, torch.get_num_threads());
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.SetThreads(0));
    }
}
