// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RFC6962} from "../libraries/RFC6962.sol";

/// @title RFC6962Harness
/// @notice TEST ONLY: exposes the RFC6962 library so it can be checked against the published test vectors.
contract RFC6962Harness {
    /// @notice RFC6962.hashLeaf.
    function hashLeaf(bytes calldata data) external pure returns (bytes32) {
        return RFC6962.hashLeaf(data);
    }

    /// @notice RFC6962.hashChildren.
    function hashChildren(bytes32 left, bytes32 right) external view returns (bytes32) {
        return RFC6962.hashChildren(left, right);
    }

    /// @notice RFC6962.verifyInclusion.
    function verifyInclusion(uint256 leafIndex, uint256 treeSize, bytes32 leafHash, bytes32[] calldata proof, bytes32 root)
        external
        view
        returns (bool)
    {
        return RFC6962.verifyInclusion(leafIndex, treeSize, leafHash, proof, root);
    }

    /// @notice RFC6962.verifyConsistency.
    function verifyConsistency(uint256 size1, uint256 size2, bytes32 root1, bytes32 root2, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        return RFC6962.verifyConsistency(size1, size2, root1, root2, proof);
    }
}
