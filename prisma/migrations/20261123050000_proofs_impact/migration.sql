-- Proofs: device information the client reported with a submission (platform,
-- model, OS and app version), kept for the verifier and for audits.
ALTER TABLE "actions" ADD COLUMN "device" JSONB;
