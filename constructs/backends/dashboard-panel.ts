/** One panel of a generated dashboard: a title, a unit and its queries with their legends. */
export interface DashboardPanel {
  readonly title: string;
  readonly unit: string;
  readonly queries: readonly { readonly expr: string; readonly legend: string }[];
}
