// Who can chat on the demo page: the seeded personas (their roles are in the
// database) and any made on the page, which are kept in the database
// (simulator_persona) so that a restart keeps them and their chats' owners.
import type { Database } from "../db/database.ts";
import { DEMO_PERSONAS, type Persona, type PersonaRole } from "./demo-seed.ts";
import { newLineUserId } from "./line-platform.ts";

const MADE_HERE = "ผู้ใช้ใหม่ที่สร้างในหน้านี้";

export class Personas {
  private readonly byId = new Map<string, Persona>(DEMO_PERSONAS.map((p) => [p.userId, p]));
  private db: Database | null = null;

  /** Loads the personas made on the page before this process, and keeps new ones in the database. */
  async attach(db: Database): Promise<void> {
    this.db = db;
    const rows = await db.prisma.simulatorPersona.findMany({ orderBy: [{ createdAt: "asc" }, { userId: "asc" }] });
    for (const row of rows) {
      if (!this.byId.has(row.userId))
        this.byId.set(row.userId, { userId: row.userId, displayName: row.displayName, role: "villager", about: MADE_HERE });
    }
  }

  list(): Persona[] {
    return [...this.byId.values()];
  }

  get(userId: string): Persona | undefined {
    return this.byId.get(userId);
  }

  async create(displayName: string, role: PersonaRole = "villager"): Promise<Persona> {
    const persona: Persona = { userId: newLineUserId(), displayName, role, about: MADE_HERE };
    await this.db?.prisma.simulatorPersona.create({ data: { userId: persona.userId, displayName } });
    this.byId.set(persona.userId, persona);
    return persona;
  }
}

/** Villages for the location picker: near the demo councils, coordinates approximate. */
export const DEMO_VILLAGES = [
  { title: "บ้านโนนสูง หมู่ 5", address: "ต.เมืองเหนือ อ.เมืองศรีสะเกษ จ.ศรีสะเกษ", latitude: 15.1068, longitude: 104.3312 },
  { title: "บ้านหนองแวง หมู่ 3", address: "ต.เมืองเหนือ อ.เมืองศรีสะเกษ จ.ศรีสะเกษ", latitude: 15.0995, longitude: 104.3421 },
  { title: "บ้านคูซอด หมู่ 1", address: "ต.คูซอด อ.เมืองศรีสะเกษ จ.ศรีสะเกษ", latitude: 15.2131, longitude: 104.2784 },
  { title: "บ้านบึงมะลู หมู่ 2", address: "ต.บึงมะลู อ.กันทรลักษ์ จ.ศรีสะเกษ", latitude: 14.5353, longitude: 104.7142 },
  { title: "บ้านกำแพง หมู่ 7", address: "ต.กำแพง อ.อุทุมพรพิสัย จ.ศรีสะเกษ", latitude: 15.1004, longitude: 104.1507 },
  { title: "บ้านท่าช้าง ริมลำน้ำมูล", address: "ต.สำโรง อ.อุทุมพรพิสัย จ.ศรีสะเกษ", latitude: 15.1462, longitude: 104.1481 },
] as const;
