// Which household a distribution of aid went to, as one string, so that "this
// household already received a food pack" is caught whichever way the aid
// was recorded (from a request's card, or from a member in the unanswered list).
//
// - A member's own household: "m:<memberId>" (a flood request filed for
//   oneself names the member; so does a check-in answer).
// - A request filed for someone else: "n:<councilId>:<household name>",
//   the name normalised (spaces, case), so two neighbours filing for the
//   same family land on one key. Best effort: a misspelt name is another key.
// - A request without either: "r:<requestId>".
export function memberHousehold(memberId: number): string {
  return `m:${memberId}`;
}

export function requestHousehold(request: {
  id: number;
  councilId: number;
  memberId: number | null;
  forSomeoneElse: boolean;
  householdName: string | null;
}): string {
  if (request.forSomeoneElse) {
    const name = (request.householdName ?? "").normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();
    if (name) return `n:${request.councilId}:${name}`;
    return `r:${request.id}`;
  }
  return request.memberId !== null ? memberHousehold(request.memberId) : `r:${request.id}`;
}
