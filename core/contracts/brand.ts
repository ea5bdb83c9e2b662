/**
 * Brands that say what a construct is without `instanceof`: `instanceof` fails across two copies
 * of the library in one program (an app and the cdk8s plugin each resolving their own), and it
 * ties the reader to the emitter's class. cdk8s's `ApiObject.isApiObject` works the same way.
 */
export function brand(target: object, name: string): void {
  Object.defineProperty(target, Symbol.for(`cdk8s-istio-observability.${name}`), { value: true });
}

export function hasBrand(value: unknown, name: string): boolean {
  return (
    value !== null && typeof value === 'object' && Symbol.for(`cdk8s-istio-observability.${name}`) in (value as object)
  );
}
