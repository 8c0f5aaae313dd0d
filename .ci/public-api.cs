// Lists the public API of built assemblies (types and their public and protected members, C# 14 extension members as
// the static methods they compile to), one per line, each assembly under an "assembly <name>" line, for before/after
// comparisons of the public surface. Usage, after building the tests (whose output folder holds every dependency):
// dotnet run .ci/public-api.cs -- tests/Hcr.MLNet.Tests/bin/Debug/net10.0/Hcr.MLNet.Onnx.dll tests/Hcr.MLNet.Tests/bin/Debug/net10.0/Hcr.MLNet.dll > api.txt
#:property TreatWarningsAsErrors=false
#:property NoWarn=$(NoWarn);IL2026;IL2075;IL2070;IL3000;CA1303;CA1305;CA1307;CA1310
#:property PublishAot=false

using System.Reflection;
using System.Runtime.Loader;
using System.Linq;

string dir = Path.GetDirectoryName(Path.GetFullPath(args[0]))!;
var nuget = Path.Combine(Environment.GetEnvironmentVariable("HOME")!, ".nuget", "packages");
AssemblyLoadContext.Default.Resolving += (ctx, name) =>
{
    string local = Path.Combine(dir, name.Name + ".dll");
    if (File.Exists(local)) return ctx.LoadFromAssemblyPath(local);
    string pkg = Path.Combine(nuget, name.Name!.ToLowerInvariant());
    if (Directory.Exists(pkg))
    {
        var f = Directory.EnumerateFiles(pkg, name.Name + ".dll", SearchOption.AllDirectories).Where(p => p.Contains("/lib/")).OrderByDescending(p => p).FirstOrDefault();
        if (f != null) return ctx.LoadFromAssemblyPath(f);
    }
    return null;
};
var lines = new List<string>();
const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
foreach (string dll in args.Select(Path.GetFullPath))
{
var asm = AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
lines.Add($"assembly {asm.GetName().Name}");
// Compiler-generated types (an extension block's grouping and marker types) are left out: its members are listed as the
// static methods of their class that callers bind to.
foreach (var t in asm.GetExportedTypes().Where(t => !t.FullName!.Contains('<')).OrderBy(t => t.FullName))
{
    string kind = t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : typeof(Delegate).IsAssignableFrom(t) ? "delegate" : "class";
    lines.Add($"{kind} {t.FullName}");
    foreach (var m in t.GetMembers(all).Where(Visible).Where(m => !(m is Type nested && nested.Name.Contains('<'))).OrderBy(m => m.ToString()))
    {
        if (m is MethodInfo mi && mi.IsSpecialName && (mi.Name.StartsWith("get_") || mi.Name.StartsWith("set_") || mi.Name.StartsWith("add_") || mi.Name.StartsWith("remove_"))) continue;
        if (t.IsEnum && m.Name == "value__") continue;
        lines.Add($"  {t.FullName}::{m.MemberType} {m}");
    }
}
}
foreach (var l in lines) Console.WriteLine(l);
Console.Error.WriteLine($"types: {lines.Count(l => !l.StartsWith("  ") && !l.StartsWith("assembly "))}, members: {lines.Count(l => l.StartsWith("  "))}");

static bool Visible(MemberInfo m) => m switch
{
    MethodBase b => b.IsPublic || b.IsFamily || b.IsFamilyOrAssembly,
    FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
    PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
    EventInfo e => e.AddMethod is { } a && (a.IsPublic || a.IsFamily),
    Type nt => nt.IsNestedPublic || nt.IsNestedFamily,
    _ => false,
};
