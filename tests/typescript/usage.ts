// How a backend uses compiled/types/database.ts through supabase-js. Type-checked by
// tests/test_typescript.py with `tsc --noEmit -p tests/typescript` (strict). Nothing here runs.
//
// Every `// @ts-expect-error (TSnnnn) why` line marks a mistake the types must reject. tsc fails
// if such a line is NOT an error (TS2578, unused directive), and test_typescript.py also removes
// the directives and checks tsc reports exactly those lines with exactly those codes.

import { createClient } from "@supabase/supabase-js"
import {
  ColumnClassification,
  Constants,
  type Database,
  type Enums,
  type Json,
  type PhiColumns,
  type Redacted,
  type Tables,
  type TablesInsert,
  type TablesUpdate,
} from "../../compiled/types/database"

/** Compile-time equality: `check<Equal<A, B>>(true)` fails to type-check unless A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function check<T extends true>(_proof: T): void {}

const supabase = createClient<Database>("https://project.supabase.co", "anon-key")

// ---------------------------------------------------------------- the generated types themselves

check<Equal<Tables<"patients">["date_of_birth"], string | null>>(true)
check<Equal<Tables<"appointments">["duration_minutes"], number>>(true)
check<Equal<Tables<"audit_logs">["metadata"], NonNullable<Json>>>(true)
check<Equal<Tables<"webhook_idempotency">["processed_at"], string | null>>(true)
check<Equal<Tables<"availability">["is_available"], boolean>>(true)
check<Equal<Tables<"appointments">["status"], "pending" | "confirmed" | "cancelled" | "completed" | "no_show">>(true)
check<Equal<Enums<"platform">, (typeof Constants.public.Enums.platform)[number]>>(true)
check<Equal<PhiColumns<"patients">, "name" | "phone" | "date_of_birth" | "gender">>(true)
check<Equal<PhiColumns<"messages">, "content">>(true)
check<Equal<PhiColumns<"audit_logs">, never>>(true)
check<Equal<keyof Redacted<"patients">, "id" | "doctor_id" | "preferred_language" | "created_at" | "updated_at" | PhiColumns<"patients">>>(true)
check<Equal<(typeof ColumnClassification)["appointments"]["reason_for_visit"], "phi">>(true)
// Insert: required unless nullable or defaulted; Update: everything optional.
check<Equal<TablesInsert<"patients">["name"], string>>(true)
check<Equal<TablesInsert<"patients">["id"], string | undefined>>(true)
check<Equal<TablesUpdate<"patients">["name"], string | undefined>>(true)
// The generator's { schema } form of the helpers works too.
check<Equal<Tables<{ schema: "public" }, "messages">, Tables<"messages">>>(true)

// ---------------------------------------------------------------- a logger that only takes redacted rows

/** The clinic rule: logs carry IDs, never PHI. This signature enforces it (any subset of a redacted row). */
function logRow<T extends keyof Database["public"]["Tables"]>(table: T, row: Partial<Redacted<T>>): void {
  console.log(table, JSON.stringify(row))
}

/** Drops the PHI columns of a row at run time, driven by the generated classification map. */
function redact<T extends keyof Database["public"]["Tables"]>(table: T, row: Tables<T>): Redacted<T> {
  const classes: Record<string, string> = ColumnClassification[table]
  const kept = Object.entries(row).filter(([column]) => classes[column] !== "phi")
  return Object.fromEntries(kept) as Redacted<T>
}

// ---------------------------------------------------------------- queries

export async function doctorInbox(doctorId: string): Promise<void> {
  const { data, error } = await supabase
    .from("conversations")
    .select("id, status, platform, patient_id, updated_at")
    .eq("doctor_id", doctorId)
    .eq("status", "active")
    .order("updated_at", { ascending: false })
  if (error) throw error
  for (const c of data) {
    const status: Enums<"conversation_status"> = c.status
    const platform: "facebook" | "instagram" | "whatsapp" = c.platform
    logRow("conversations", { id: c.id, status, platform })
  }
}

export async function threadWithMessages(conversationId: string): Promise<void> {
  // The embed resolves through Relationships (messages_conversation_id_fkey).
  const { data, error } = await supabase
    .from("messages")
    .select("id, sender_type, created_at, conversation:conversations(id, status)")
    .eq("conversation_id", conversationId)
  if (error) throw error
  for (const m of data) {
    const sender: Enums<"sender_type"> = m.sender_type
    const thread: { id: string; status: Enums<"conversation_status"> } = m.conversation
    console.log(m.id, sender, thread.status)
  }
}

export async function registerPatient(doctorId: string, name: string, phone: string): Promise<string> {
  const { data, error } = await supabase.from("patients").insert({ doctor_id: doctorId, name, phone }).select("*").single()
  if (error) throw error
  const patient: Tables<"patients"> = data
  logRow("patients", redact("patients", patient))
  return patient.id
}

export async function book(doctorId: string, patientId: string, conversationId: string | null): Promise<void> {
  const appointment: TablesInsert<"appointments"> = {
    doctor_id: doctorId,
    patient_id: patientId,
    conversation_id: conversationId,
    appointment_date: "2026-01-20T09:00:00Z",
    status: "pending",
  }
  const { error } = await supabase.from("appointments").insert(appointment)
  if (error) throw error
  const { error: logError } = await supabase.from("audit_logs").insert({
    action: "appointment.create",
    resource_type: "appointments",
    status: "success",
    user_id: doctorId,
    metadata: { patient_id: patientId },
  })
  if (logError) throw logError
}

export async function confirm(appointmentId: string): Promise<void> {
  const change: TablesUpdate<"appointments"> = { status: "confirmed", duration_minutes: 45 }
  const { error } = await supabase.from("appointments").update(change).eq("id", appointmentId)
  if (error) throw error
  await supabase.from("availability").update({ is_available: false, day_of_week: "monday" }).eq("doctor_id", "d")
  await supabase.from("webhook_idempotency").update({ status: "processed", processed_at: null, attempts: 2 }).eq("id", "w")
}

// ---------------------------------------------------------------- functions (supabase.rpc)

export async function doctorWeek(): Promise<void> {
  const { data, error } = await supabase.rpc("doctor_appointments_between", {
    range_start: "2026-01-19T00:00:00Z",
    range_end: "2026-01-26T00:00:00Z",
  })
  if (error) throw error
  for (const a of data) {
    const status: Enums<"appointment_status"> = a.status
    logRow("appointments", { id: a.id, status, appointment_date: a.appointment_date })
  }
  // SetofOptions lets an rpc returning table rows be narrowed with select() like a table query
  const { data: ids } = await supabase
    .rpc("doctor_appointments_between", { range_start: "2026-01-19", range_end: "2026-01-20" })
    .select("id, status")
  check<Equal<typeof ids, { id: string; status: Enums<"appointment_status"> }[] | null>>(true)
}
check<Equal<Database["public"]["Functions"]["doctor_appointments_between"]["Args"], { range_end: string; range_start: string }>>(true)

// ---------------------------------------------------------------- views (.from('view'))

export async function calendar(doctorId: string): Promise<void> {
  const { data, error } = await supabase
    .from("appointment_schedule")
    .select("id, appointment_date, ends_at, status")
    .eq("doctor_id", doctorId)
    .order("appointment_date")
  if (error) throw error
  for (const slot of data) {
    const ends: string | null = slot.ends_at
    const status: Enums<"appointment_status"> | null = slot.status
    console.log(slot.id, ends, status)
  }
  // a simple view over one table is writable through PostgREST; its computed column is not
  await supabase.from("appointment_schedule").update({ status: "confirmed" }).eq("id", "a")
}
check<Equal<Tables<"appointment_schedule">["ends_at"], string | null>>(true)

// ---------------------------------------------------------------- what the types reject

export async function mistakes(patient: Tables<"patients">, message: Tables<"messages">): Promise<void> {
  // @ts-expect-error (TS2322) out-of-enum value: "rescheduled" is not an appointment_status
  await supabase.from("appointments").update({ status: "rescheduled" }).eq("id", "a")

  // @ts-expect-error (TS2345) out-of-enum value in a filter: "open" is not a conversation_status
  await supabase.from("conversations").select("id").eq("status", "open")

  // @ts-expect-error (TS2322) out-of-enum value on insert: telegram is not a platform
  const thread: TablesInsert<"conversations"> = { doctor_id: "d", patient_id: "p", platform: "telegram", platform_conversation_id: "x" }

  // @ts-expect-error (TS2345) missing required column on insert: patients.phone has no default
  await supabase.from("patients").insert({ doctor_id: "d", name: "Ada" })

  // @ts-expect-error (TS2741) missing required column on insert: appointment_date
  const booking: TablesInsert<"appointments"> = { doctor_id: "d", patient_id: "p" }

  // @ts-expect-error (TS2322) wrong type on update: duration_minutes is a number
  await supabase.from("appointments").update({ duration_minutes: "thirty" }).eq("id", "a")

  // @ts-expect-error (TS2322) wrong type on update: is_available is a boolean
  const pause: TablesUpdate<"availability"> = { is_available: "no" }

  // @ts-expect-error (TS2345) PHI where Redacted is expected: a full patients row carries name and phone
  logRow("patients", patient)

  // @ts-expect-error (TS2322) PHI where Redacted is expected: message content is PHI
  logRow("messages", { id: message.id, content: message.content })

  // @ts-expect-error (TS2353) wrong rpc argument name: the function takes range_start, not from
  await supabase.rpc("doctor_appointments_between", { from: "2026-01-19", range_end: "2026-01-20" })

  // @ts-expect-error (TS2322) wrong rpc argument type: range_start is a timestamp string
  await supabase.rpc("doctor_appointments_between", { range_start: 20260119, range_end: "2026-01-20" })

  // @ts-expect-error (TS2345) trigger function through rpc: audit_row_change is not callable
  await supabase.rpc("audit_row_change")

  // @ts-expect-error (TS2322) computed view column on update: ends_at is derived from the start and duration
  await supabase.from("appointment_schedule").update({ ends_at: "2026-01-20T10:00:00Z" }).eq("id", "a")

  // @ts-expect-error (TS2339) PHI column through the view: appointment_schedule leaves reason_for_visit out
  await supabase.from("appointment_schedule").select("id").then(({ data }) => data?.[0]?.reason_for_visit)

  console.log(thread, booking, pause)
}
