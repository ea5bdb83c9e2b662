// The runner alone: what starting a TypeScript file costs before any cdk8s code loads (bench/index.ts).
export {};
