// The flood request as several transcripts need it filed, in one place: a
// change of the flow's early steps changes this file, not every test that
// only needs a case to exist.
/** What the script needs of a user: the in-process harness's or the shipped process's. */
interface Chatter {
  say(text: string): Promise<unknown>;
  tap(label: string): Promise<unknown>;
  location(latitude?: number, longitude?: number): Promise<unknown>;
}

/**
 * A non-member's critical flood request (bedridden, waist-deep water,
 * medicine) for `council`, answered up to the photo question.
 */
export async function floodToPhotos(u: Chatter, council: { districtNameTh: string; tambonNameTh: string }): Promise<void> {
  await u.say("น้ำท่วม");
  await u.tap("บ้านของฉันเอง");
  await u.location(15.05, 104.52);
  // The nearest tambon is offered first; these tests pick their own council.
  await u.tap("เลือกเอง");
  await u.say(council.districtNameTh);
  await u.tap(council.tambonNameTh);
  await u.say("089-123-4567");
  await u.say("4");
  await u.tap("ผู้ป่วยติดเตียง");
  await u.tap("เสร็จแล้ว");
  await u.tap("เอว");
  await u.tap("ยา");
  await u.tap("เสร็จแล้ว");
}
