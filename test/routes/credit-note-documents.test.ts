// Issue 12: a credit note's Factur-X (381) — made right after the cancel that numbered it, or by
// the minute cron when it was not, archived sealed, byte-identical on every download.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createPartner, expectOk, ORIGIN, seedWorld, type Tenant } from "../helpers/harness";
import { runScheduled } from "../helpers/scheduled";

async function download(t: Tenant, path: string, orgId: string) {
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { headers: { authorization: `Bearer ${t.token}`, "x-entity-id": orgId } }));
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function sha256(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function cancelledIssued(t: Tenant) {
  const w = await seedWorld(t);
  const headers = { "x-entity-id": w.org.id };
  const issued = await expectOk(await call(`/v1/invoices/${w.invoice.id}/issue`, { token: t.token, method: "POST", headers }));
  const cancelled = await expectOk(await call(`/v1/invoices/${w.invoice.id}/cancel`, { token: t.token, headers, body: { reason: "Erreur de facturation" } }));
  return { ...w, issued, cancelled, note: cancelled.credit_note };
}

describe("credit note documents", () => {
  it("a cancel makes the credit note's Factur-X (381) citing the invoice; downloads are byte-identical", async () => {
    const t = await createPartner();
    const { org, issued, note } = await cancelledIssued(t);
    const pdf = await download(t, `/v1/credit_notes/${note.id}/pdf`, org.id);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.headers.get("content-disposition")).toBe(`inline; filename="${note.credit_note_number}.pdf"`);
    expect(new TextDecoder("latin1").decode(pdf.bytes)).toContain("factur-x.xml");
    const again = await download(t, `/v1/credit_notes/${note.id}/pdf`, org.id);
    expect(again.bytes).toEqual(pdf.bytes);

    const xml = new TextDecoder().decode((await download(t, `/v1/credit_notes/${note.id}/xml`, org.id)).bytes);
    expect(xml).toContain("<ram:TypeCode>381</ram:TypeCode>");
    expect(xml).toContain(`<ram:ID>${note.credit_note_number}</ram:ID>`);
    expect(xml).toContain(`<ram:IssuerAssignedID>${issued.invoice_number}</ram:IssuerAssignedID>`);
    expect(xml).toContain("<ram:GrandTotalAmount>422.00</ram:GrandTotalAmount>");

    // Made before the cancel's batch: the credit note, the cancel's response and its audit entry
    // of creation all carry the hash of what is served.
    expect(note.document.sha256).toBe(await sha256(pdf.bytes));
    const row = await env.DB.prepare("SELECT document_sha256 FROM credit_notes WHERE id = ?").bind(note.id).first<{ document_sha256: string }>();
    expect(row!.document_sha256).toBe(await sha256(pdf.bytes));
    const audit = await env.DB.prepare("SELECT changes FROM audit_logs WHERE resource_id = ? AND action = 'created'").bind(note.id).first<{ changes: string }>();
    expect(JSON.parse(audit!.changes).after).toMatchObject({ credit_note_number: note.credit_note_number, document_sha256: note.document.sha256 });
  });

  it("a credit note left without documents (a crash after its batch) is archived by the minute cron", async () => {
    const t = await createPartner();
    const { org, note } = await cancelledIssued(t);
    const original = await download(t, `/v1/credit_notes/${note.id}/pdf`, org.id);
    // As if the request had died right after the cancel's batch.
    await env.DB.prepare("UPDATE credit_notes SET document_sha256 = NULL, xml_sha256 = NULL, document_generated_at = NULL WHERE id = ?").bind(note.id).run();
    for (const o of (await env.DOCUMENTS.list({ prefix: `${t.partnerId}/test/${org.id}/credit_notes/` })).objects) await env.DOCUMENTS.delete(o.key);

    await runScheduled("* * * * *");
    const row = await env.DB.prepare("SELECT document_sha256 FROM credit_notes WHERE id = ?").bind(note.id).first<{ document_sha256: string | null }>();
    expect(row!.document_sha256).toBe(await sha256(original.bytes));
    const listed = await env.DOCUMENTS.list({ prefix: `${t.partnerId}/test/${org.id}/credit_notes/${note.id}/` });
    expect(listed.objects.map((o) => o.key.split("/").pop())).toContain(`${row!.document_sha256}.pdf`);
    expect((await download(t, `/v1/credit_notes/${note.id}/pdf`, org.id)).bytes).toEqual(original.bytes);
  });

  it("another tenant's credit note document, or an unknown one, is 404", async () => {
    const t = await createPartner();
    const { org, note } = await cancelledIssued(t);
    const other = await createPartner();
    for (const format of ["pdf", "xml"]) {
      expect((await call(`/v1/credit_notes/${note.id}/${format}`, { token: other.token, headers: { "x-entity-id": org.id } })).status).toBe(404);
      expect((await call(`/v1/credit_notes/cn-0193a4b2-c7e8-7d1f-9a6b-2c3d4e5f6a7b/${format}`, { token: t.token, headers: { "x-entity-id": org.id } })).status).toBe(404);
    }
  });
});
